// `misp-agent setup`: installs the generated Elasticsearch assets (packaging/elasticsearch) on
// the cluster of the policy's elasticsearch output and starts the latest_ioc transform.
#pragma once

namespace misp::agent {

int setup_command(int argc, char** argv);

}  // namespace misp::agent
