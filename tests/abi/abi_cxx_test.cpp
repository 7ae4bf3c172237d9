// The header also compiles as C++ (and its structs start with struct_size).
#include "abi/misp_input.h"

#include <gtest/gtest.h>

#include <cstddef>

TEST(AbiHeader, CompilesAsCxxWithSizeFirst) {
  EXPECT_EQ(offsetof(misp_input_event, struct_size), 0u);
  EXPECT_EQ(offsetof(misp_input_host, struct_size), 0u);
  EXPECT_EQ(offsetof(misp_input_plugin, struct_size), 0u);
  EXPECT_EQ(MISP_INPUT_OK, 0);
}

// The structs added in ABI 1.1 start with struct_size too, and the 1.0 structs only grew at
// their ends (the 1.0 fields keep their offsets).
TEST(AbiHeader, Issue9_StructsOfAbi11AreSizePrefixedAndAppendOnly) {
  EXPECT_EQ(offsetof(misp_input_error, struct_size), 0u);
  EXPECT_EQ(offsetof(misp_input_option, struct_size), 0u);
  EXPECT_EQ(offsetof(misp_input_metric, struct_size), 0u);
  EXPECT_EQ(offsetof(misp_input_map_stats, struct_size), 0u);
  EXPECT_GT(offsetof(misp_input_event, format), offsetof(misp_input_event, pipeline_error));
  EXPECT_GT(offsetof(misp_input_host, stream_id), offsetof(misp_input_host, now_ms));
  EXPECT_GT(offsetof(misp_input_plugin, dataset), offsetof(misp_input_plugin, destroy));
  misp_input_plugin p{};
  p.struct_size = offsetof(misp_input_plugin, dataset);  // a 1.0 plugin's table
  EXPECT_TRUE(MISP_INPUT_HAS_FIELD(&p, misp_input_plugin, destroy));
  EXPECT_FALSE(MISP_INPUT_HAS_FIELD(&p, misp_input_plugin, map));
  EXPECT_EQ(MISP_INPUT_ABI_MINOR, 2u);
}
