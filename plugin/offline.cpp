#include "plugin/offline.h"

#include "mapping/mapper.h"
#include "plugin/input_shape.h"

namespace misp::plugin {

namespace {

misp_input_event make_event(const mapping::Output& out, std::string_view raw, bool is_raw,
                            const std::string& index, const std::string& where) {
  misp_input_event ev{};
  ev.struct_size = sizeof ev;
  ev.format = is_raw ? MISP_INPUT_FORMAT_RAW : MISP_INPUT_FORMAT_ECS;
  std::string_view doc = is_raw ? raw : std::string_view(out.document);
  ev.document = doc.data(), ev.document_len = doc.size();
  ev.id = out.id.data(), ev.id_len = out.id.size();
  ev.index = index.data(), ev.index_len = index.size();
  ev.cursor = "", ev.cursor_len = 0;  // nothing to resume: the host has the whole input
  ev.time_ms = out.timestamp_ms;
  ev.pipeline_error = out.pipeline_error() ? 1 : 0;
  ev.error = out.error.data(), ev.error_len = out.error.size();
  ev.source = where.data(), ev.source_len = where.size();
  return ev;
}

}  // namespace

namespace {

// Maps what read_input or read_input_stream hands over; `read` runs one of them.
template <typename Read>
MapCounts map_with(const Config& config, const Host& host, const Read& read) {
  const std::int64_t now_ms = host.now_ms();
  mapping::Mapper mapper(config.mapping_options(now_ms));
  const bool raw = config.output == OutputMode::kRaw;
  const std::string index = std::string("logs-") + mapping::dataset_name(config.dataset) + "-" +
                            config.data_stream_namespace;
  MapCounts counts;
  std::string text;  // a split document's text, written only for raw output
  auto on_message = [&](const Message& message, const std::string& where) {
    mapping::Output out;
    std::string_view raw_text;
    if (raw) {
      out.timestamp_ms = now_ms;  // as the poller's raw output: the shipper's clock
      raw_text = text_of(message, text);
    } else {
      out = message.tree     ? mapper.map_split(*message.tree)
            : message.parsed ? mapper.map_parsed(message.text, *message.parsed)
                             : mapper.map(message.text);
      if (out.kind == mapping::Output::Kind::kDropped) return ++counts.dropped, true;
    }
    if (!host.emit(make_event(out, raw_text, raw, index, where))) return false;
    ++counts.documents;
    if (out.pipeline_error()) ++counts.pipeline_errors;
    return true;
  };
  auto on_error = [&](const Error& e) {
    ++counts.input_errors;
    host.report(e);
  };
  counts.stopped = !read(on_message, on_error);
  return counts;
}

}  // namespace

MapCounts map_offline(const Config& config, const Host& host, std::string_view input,
                      const std::string& source) {
  return map_with(config, host, [&](const OnMessage& on_message, const OnInputError& on_error) {
    return read_input(input, source, config.dataset, config.split, on_message, on_error);
  });
}

MapCounts map_offline_stream(const Config& config, const Host& host, const Reader& reader,
                             const std::string& source) {
  return map_with(config, host, [&](const OnMessage& on_message, const OnInputError& on_error) {
    return read_input_stream(reader, source, config.dataset, config.split, on_message, on_error);
  });
}

}  // namespace misp::plugin
