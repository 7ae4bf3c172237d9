// `misp-agent run`: polls MISP for every stream of an agent policy.
#pragma once

namespace misp::agent {

int run_command(int argc, char** argv);

}  // namespace misp::agent
