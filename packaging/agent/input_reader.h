// What `misp-agent map` reads from disk: a file, "-" (standard input), or a MISP feed directory
// (every <uuid>.json besides manifest.json, in name order). Each source goes to the plugin's
// offline mapping entry as an open stream it pulls in pieces (map_stream), so a large NDJSON file
// is never held whole; misp-agent only opens files.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

namespace misp::agent {

// name: the path (or "<stdin>"); in: open for reading during the call, closed afterwards.
using OnSource = std::function<void(const std::string& name, std::FILE* in)>;
using OnReadError = std::function<void(const std::string& message)>;

// Returns the number of sources that could not be read (each reported through on_error).
std::size_t read_sources(const std::string& path, const OnSource& on_source,
                         const OnReadError& on_error);

}  // namespace misp::agent
