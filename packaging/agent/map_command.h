// `misp-agent map`: maps MISP JSON a user already has to ECS NDJSON on stdout.
#pragma once

namespace misp::agent {

int map_command(int argc, char** argv);

}  // namespace misp::agent
