// The one exposition builder: a family's # HELP and # TYPE once however many series it has, a
// series added twice kept once (its last value), label values escaped.
#include "common/prometheus.h"

#include <gtest/gtest.h>

namespace misp::prometheus {
namespace {

TEST(Prometheus, Issue9_OneHelpAndTypePerFamilyAndUniqueSeries) {
  Exposition e;
  e.add("misp_input_documents_total", Type::kCounter, "Documents.", {{"stream_id", "a"}}, 1);
  e.add("misp_input_cursor_lag_seconds", Type::kGauge, "Lag.", {{"stream_id", "a"}}, 2.5);
  e.add("misp_input_documents_total", Type::kCounter, "Documents.", {{"stream_id", "b"}}, 3);
  e.add("misp_input_documents_total", Type::kCounter, "Documents.", {{"stream_id", "a"}}, 4);
  EXPECT_EQ(e.text(),
            "# HELP misp_input_documents_total Documents.\n"
            "# TYPE misp_input_documents_total counter\n"
            "misp_input_documents_total{stream_id=\"a\"} 4\n"
            "misp_input_documents_total{stream_id=\"b\"} 3\n"
            "# HELP misp_input_cursor_lag_seconds Lag.\n"
            "# TYPE misp_input_cursor_lag_seconds gauge\n"
            "misp_input_cursor_lag_seconds{stream_id=\"a\"} 2.5\n");
}

TEST(Prometheus, LabelValuesAndHelpEscaped) {
  Exposition e;
  e.add("m", Type::kGauge, "a\\b\nc", {{"l", "q\"\\\n"}}, 0);
  EXPECT_EQ(e.text(), "# HELP m a\\\\b\\nc\n# TYPE m gauge\nm{l=\"q\\\"\\\\\\n\"} 0\n");
}

TEST(Prometheus, NoLabelsNoBraces) {
  Exposition e;
  e.add("up", Type::kGauge, "Up.", {}, 1);
  EXPECT_EQ(e.text(), "# HELP up Up.\n# TYPE up gauge\nup 1\n");
}

}  // namespace
}  // namespace misp::prometheus
