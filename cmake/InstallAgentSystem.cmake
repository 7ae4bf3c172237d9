# Install time (cmake --install, cpack): misp-agent's systemd unit and /etc/misp-agent/policy.yml
# (packaging/debian/policy.yml), which depend on the prefix installed into. Set by the caller
# (cmake/Packaging.cmake): misp_source_dir, misp_binary_dir, misp_bindir (relative, as
# GNUInstallDirs' CMAKE_INSTALL_BINDIR).
# sysconfdir: /etc for the prefix /usr (the Debian package), else <prefix>/etc, as GNUInstallDirs.
if(CMAKE_INSTALL_PREFIX MATCHES "^/usr/?$")
  set(MISP_SYSCONFDIR /etc)
else()
  set(MISP_SYSCONFDIR "${CMAKE_INSTALL_PREFIX}/etc")
endif()
if(IS_ABSOLUTE "${misp_bindir}")
  set(MISP_BINDIR "${misp_bindir}")
else()
  set(MISP_BINDIR "${CMAKE_INSTALL_PREFIX}/${misp_bindir}")
endif()
string(MD5 misp_install_id "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
set(misp_unit_dir "${misp_binary_dir}/packaging/debian/install-${misp_install_id}")
configure_file("${misp_source_dir}/packaging/debian/misp-agent.service.in"
  "${misp_unit_dir}/misp-agent.service" @ONLY)
file(INSTALL "${misp_unit_dir}/misp-agent.service" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
# The policy is the administrator's once installed: never overwritten (the package marks it a
# conffile, and dpkg asks).
if(EXISTS "$ENV{DESTDIR}${MISP_SYSCONFDIR}/misp-agent/policy.yml")
  message(STATUS "Keeping: $ENV{DESTDIR}${MISP_SYSCONFDIR}/misp-agent/policy.yml")
else()
  file(INSTALL "${misp_source_dir}/packaging/debian/policy.yml"
    DESTINATION "${MISP_SYSCONFDIR}/misp-agent")
endif()
