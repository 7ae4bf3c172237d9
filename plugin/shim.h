// The C++ side of abi/misp_input.h: every function noexcept, every exception caught here.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/misp_input.h"

namespace misp::plugin::shim {

const misp_input_plugin& table();

std::int32_t entry(std::uint32_t major, std::uint32_t minor, const misp_input_plugin** out,
                   char* err, std::size_t cap) noexcept;
std::int32_t validate_config(const char* dataset, const char* config, std::size_t len, char* err,
                             std::size_t cap) noexcept;
std::int32_t create(const misp_input_host* host, const char* dataset, const char* config,
                    std::size_t len, const char* cursor, std::size_t cursor_len,
                    misp_input_instance** out, char* err, std::size_t cap) noexcept;
std::int32_t run(misp_input_instance* instance, std::int32_t once) noexcept;
void request_stop(misp_input_instance* instance) noexcept;
void committed(misp_input_instance* instance, const char* cursor, std::size_t len) noexcept;
std::int32_t metrics(misp_input_instance* instance, char* buf, std::size_t cap,
                     std::size_t* needed) noexcept;
void destroy(misp_input_instance* instance) noexcept;
// Added in ABI 1.1
const char* dataset(std::size_t index) noexcept;
const misp_input_option* option(const char* dataset, std::size_t index) noexcept;
std::int32_t map(const misp_input_host* host, const char* dataset, const char* config,
                 std::size_t config_len, const char* input, std::size_t input_len,
                 const char* source, std::size_t source_len, std::uint32_t flags,
                 misp_input_map_stats* stats, char* err, std::size_t cap) noexcept;
std::int32_t map_stream(const misp_input_host* host, const char* dataset, const char* config,
                        std::size_t config_len, misp_input_read_fn read, void* read_data,
                        const char* source, std::size_t source_len, std::uint32_t flags,
                        misp_input_map_stats* stats, char* err, std::size_t cap) noexcept;
std::int32_t collect_metrics(misp_input_instance* instance, misp_input_metric_fn fn,
                             void* user_data) noexcept;

}  // namespace misp::plugin::shim
