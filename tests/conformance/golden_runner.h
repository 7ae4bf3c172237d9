// Runs one golden case through the mapping and compares every document with the expectation.
#pragma once

#include <string>

#include "mapping/options.h"

namespace misp::test {

void run_golden_case(const std::string& dataset_dir, const std::string& name,
                     mapping::Dataset dataset);

}  // namespace misp::test
