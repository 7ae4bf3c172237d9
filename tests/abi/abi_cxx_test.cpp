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
