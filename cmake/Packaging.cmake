# Install layout and Debian packages; included at the end of the top-level CMakeLists.txt.
#
# `cmake --install <build> --prefix P` gives a tree where everything finds everything, wherever P
# is (nothing below depends on the prefix configured, except the last-resort fallbacks):
#   P/bin/misp-agent                           loads P/<libdir>/libmisp_input.so.1 (relative to itself)
#   P/<libdir>/libmisp_input.so.1              the plugin; libdir from GNUInstallDirs (lib, or
#                                              lib/x86_64-linux-gnu when configured for /usr on Debian)
#   P/include/misp_input.h, P/<libdir>/libmisp_input.so (the link)
#   P/lib/syslog-ng/3.38/libmisp.so            syslog-ng's moduledir, made prefix-relative
#                                              (MISP_SYSLOG_NG_MODULEDIR); loads the plugin relative to itself
#   P/share/misp-input/elasticsearch/          packaging/elasticsearch (misp-agent setup: <exe>/../share/...)
#   P/share/man/man1/misp-agent.1.gz           generated from `misp-agent --help` by help2man
#   P/share/doc/misp-input/examples/           policy.example.yml, syslog-ng/*.conf
#   P/lib/systemd/system/misp-agent.service    ExecStart=P/bin/misp-agent, policy in <sysconfdir>
#   <sysconfdir>/misp-agent/policy.yml         packaging/debian/policy.yml, never overwritten;
#                                              sysconfdir is /etc for P=/usr, else P/etc
# The Debian packages (cpack -G DEB in the build directory) are the same install, one component per
# package, with the prefix /usr.
include(GNUInstallDirs)

set(misp_doc_examples "${CMAKE_INSTALL_DATAROOTDIR}/doc/misp-input/examples")

# --- libmisp-input1 / libmisp-input-dev -----------------------------------------------------------
install(TARGETS misp_input LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
  NAMELINK_COMPONENT dev)
install(FILES abi/misp_input.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)

# --- misp-agent -----------------------------------------------------------------------------------
# The plugin is found relative to the executable: bin/ -> <libdir>, however libdir was configured.
file(RELATIVE_PATH misp_bin_to_lib "${CMAKE_INSTALL_FULL_BINDIR}" "${CMAKE_INSTALL_FULL_LIBDIR}")
target_compile_definitions(misp_agent_core PRIVATE MISP_AGENT_PLUGIN_LIBDIR="${misp_bin_to_lib}"
  MISP_AGENT_PLUGIN_SONAME="$<TARGET_SONAME_FILE_NAME:misp_input>")
install(TARGETS misp-agent RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT agent)
install(FILES packaging/agent/policy.example.yml DESTINATION ${misp_doc_examples} COMPONENT agent)

# The man page, from `misp-agent --help` (and each command's --help) at build time. Not in the
# sanitizer build, whose misp-agent is not the one installed.
find_program(HELP2MAN_EXECUTABLE help2man)
set(misp_man ${PROJECT_BINARY_DIR}/packaging/debian/misp-agent.1)
if(HELP2MAN_EXECUTABLE AND NOT MISP_SANITIZE)
  add_custom_command(
    OUTPUT ${misp_man} ${misp_man}.gz
    COMMAND ${CMAKE_COMMAND} -DAGENT=$<TARGET_FILE:misp-agent>
            -DOUT=${PROJECT_BINARY_DIR}/packaging/debian/misp-agent.commands.h2m
            -P ${PROJECT_SOURCE_DIR}/cmake/ManCommands.cmake
    COMMAND ${HELP2MAN_EXECUTABLE} --no-info --section=1
            "--name=poll MISP threat intelligence into ECS documents"
            --include=${PROJECT_SOURCE_DIR}/packaging/debian/misp-agent.h2m
            --include=${PROJECT_BINARY_DIR}/packaging/debian/misp-agent.commands.h2m
            --output=${misp_man} $<TARGET_FILE:misp-agent>
    COMMAND gzip -9nf --keep ${misp_man}
    DEPENDS misp-agent misp_input ${PROJECT_SOURCE_DIR}/cmake/ManCommands.cmake
            ${PROJECT_SOURCE_DIR}/packaging/debian/misp-agent.h2m
    COMMENT "Generating the misp-agent(1) man page from misp-agent --help")
  add_custom_target(misp_agent_man ALL DEPENDS ${misp_man}.gz)
  install(FILES ${misp_man}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT agent)
  set(MISP_MAN_PAGE ON)
else()
  message(STATUS "misp-agent(1): skipped (needs help2man; not in the sanitizer build)")
  set(MISP_MAN_PAGE OFF)
endif()

# The systemd unit and /etc/misp-agent/policy.yml depend on the prefix installed into, known only
# at install time (cmake --install --prefix, or CPack's /usr): cmake/InstallAgentSystem.cmake.
install(CODE "
  set(misp_source_dir \"${PROJECT_SOURCE_DIR}\")
  set(misp_binary_dir \"${PROJECT_BINARY_DIR}\")
  set(misp_bindir \"${CMAKE_INSTALL_BINDIR}\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/InstallAgentSystem.cmake\")" COMPONENT agent)

# --- syslog-ng-mod-misp: the module installs from packaging/syslog-ng; its examples here ----------
if(MISP_SYSLOG_NG_MODULE)
  install(DIRECTORY packaging/syslog-ng/examples/ DESTINATION ${misp_doc_examples}/syslog-ng
    COMPONENT syslog_ng FILES_MATCHING PATTERN "*.conf")
endif()

# --- Debian packages ------------------------------------------------------------------------------
set(CPACK_PACKAGE_NAME misp-input)
set(CPACK_PACKAGE_VENDOR "misp-input")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "MISP threat intelligence input, mapped to ECS")
set(CPACK_PACKAGE_CONTACT "misp-input maintainers <misp-input@localhost>")
set(CPACK_GENERATOR DEB)
# The package's prefix, whatever the build was configured with; with DESTDIR, so that absolute
# destinations (/etc) land in the package, not on the building machine.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(misp_deb_version "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")

set(CPACK_COMPONENTS_ALL runtime dev agent elasticsearch)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libmisp-input1)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "MISP threat intelligence input plugin (C ABI)
 libmisp_input.so.1 polls MISP's REST API and maps what it gets to ECS documents, as Elastic's
 ti_misp integration does. A log shipper loads it through the C ABI of misp_input.h:
 misp-agent and syslog-ng's misp() source (syslog-ng-mod-misp) do.")
# The library's shlibs entry, for packages that link it (CPack adds ldconfig to postinst/postrm).
configure_file(packaging/debian/shlibs.in ${PROJECT_BINARY_DIR}/packaging/debian/shlibs @ONLY)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/packaging/debian/shlibs)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libmisp-input-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libmisp-input1 (= ${misp_deb_version})")
set(CPACK_COMPONENT_DEV_DESCRIPTION "MISP threat intelligence input plugin (development files)
 misp_input.h, the versioned C ABI of libmisp_input.so, for writing another host of the
 plugin.")

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME misp-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_SECTION net)
# dlopen()ed, so dpkg-shlibdeps cannot see the plugin; setup installs the Elasticsearch assets.
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS
  "libmisp-input1 (= ${misp_deb_version}), misp-input-elasticsearch (= ${misp_deb_version}), adduser")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
  "${PROJECT_SOURCE_DIR}/packaging/debian/conffiles;${PROJECT_SOURCE_DIR}/packaging/debian/postinst;${PROJECT_SOURCE_DIR}/packaging/debian/prerm;${PROJECT_SOURCE_DIR}/packaging/debian/postrm")
set(CPACK_COMPONENT_AGENT_DESCRIPTION "MISP threat intelligence agent (Elastic Agent policies)
 misp-agent runs an Elastic Agent standalone policy of MISP streams with libmisp_input.so:
 it polls MISP and writes ECS documents to NDJSON files, the console or Elasticsearch
 (data streams logs-ti_misp.*), keeping cursors across restarts. The systemd unit
 misp-agent.service runs it as the system user misp-agent with
 /etc/misp-agent/policy.yml; state in /var/lib/misp-agent.")

set(CPACK_DEBIAN_ELASTICSEARCH_PACKAGE_NAME misp-input-elasticsearch)
set(CPACK_DEBIAN_ELASTICSEARCH_PACKAGE_SECTION net)
set(CPACK_DEBIAN_ELASTICSEARCH_PACKAGE_ARCHITECTURE all)
set(CPACK_COMPONENT_ELASTICSEARCH_DESCRIPTION "Elasticsearch assets for MISP threat intelligence
 The templates, final ingest pipeline, ILM policy, data stream lifecycle and latest_ioc
 transform that Elastic's ti_misp integration installs, as request bodies under
 /usr/share/misp-input/elasticsearch, generated from the same field catalogue as the
 documents.")

if(MISP_SYSLOG_NG_MODULE)
  list(APPEND CPACK_COMPONENTS_ALL syslog_ng)
  # A syslog-ng module is built against one syslog-ng release (its module_info names it and
  # the private headers change between releases): the same upstream version, any Debian revision.
  string(REGEX MATCH "^([0-9]+)\\.([0-9]+)\\.([0-9]+)" _ "${MISP_SYSLOG_NG_VERSION}")
  math(EXPR misp_sng_next_patch "${CMAKE_MATCH_3} + 1")
  set(misp_sng_next "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}.${misp_sng_next_patch}~")
  set(CPACK_DEBIAN_SYSLOG_NG_PACKAGE_NAME syslog-ng-mod-misp)
  set(CPACK_DEBIAN_SYSLOG_NG_PACKAGE_SECTION admin)
  set(CPACK_DEBIAN_SYSLOG_NG_PACKAGE_DEPENDS
    "libmisp-input1 (= ${misp_deb_version}), syslog-ng-core (>= ${MISP_SYSLOG_NG_VERSION}), syslog-ng-core (<< ${misp_sng_next})")
  set(CPACK_DEBIAN_SYSLOG_NG_PACKAGE_ENHANCES syslog-ng-core)
  # The module links libsyslog-ng, which lives in syslog-ng's private library directory.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${MISP_SYSLOG_NG_LIBRARY_DIRS})
  set(CPACK_COMPONENT_SYSLOG_NG_DESCRIPTION "MISP threat intelligence source for syslog-ng
 The misp() source of syslog-ng ${MISP_SYSLOG_NG_VERSION}: each MISP indicator becomes a message
 whose MESSAGE is its ECS document, with the cursor kept in syslog-ng's persist file
 (at-least-once with flags(flow-control)). Loads libmisp_input.so.1 from libmisp-input1.")
endif()

include(CPack)
