// What `misp-agent map` reads from disk: a file, "-" (standard input), or a MISP feed directory
// (every <uuid>.json besides manifest.json, in name order). The bytes of each source go to the
// plugin's offline mapping entry, which recognises their shape; misp-agent only reads files.
#pragma once

#include <functional>
#include <string>

namespace misp::agent {

// name: the path (or "<stdin>"); bytes: the whole content.
using OnSource = std::function<void(const std::string& name, const std::string& bytes)>;
using OnReadError = std::function<void(const std::string& message)>;

// Returns the number of sources that could not be read (each reported through on_error).
std::size_t read_sources(const std::string& path, const OnSource& on_source,
                         const OnReadError& on_error);

}  // namespace misp::agent
