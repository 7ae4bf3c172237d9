# Build time: each misp-agent command's --help as a help2man include file (roff, verbatim blocks),
# so that misp-agent(1) documents every command and every stream variable of the plugin.
#   cmake -DAGENT=<misp-agent> -DOUT=<file.h2m> -P ManCommands.cmake
set(text "[COMMANDS]\n")
foreach(cmd run map setup)
  execute_process(COMMAND ${AGENT} ${cmd} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc ERROR_QUIET)
  if(NOT rc EQUAL 0 OR help STREQUAL "")
    continue()  # a command this misp-agent does not have
  endif()
  # The plugin's name, not the build tree's path to it.
  string(REGEX REPLACE "\\(/[^,)]*/(libmisp_input[^/,)]*)," "(\\1," help "${help}")
  # roff: a backslash is \e, and a line may not start with a control character.
  string(REPLACE "\\" "\\e" help "${help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
  string(APPEND text ".SS \"misp-agent ${cmd}\"\n.nf\n${help}.fi\n")
endforeach()
file(WRITE "${OUT}" "${text}")
