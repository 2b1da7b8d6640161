// One function per subcommand; each returns an exit code.
#pragma once

#include "Args.h"
#include "IndexedReader.h"
#include "Result.h"

namespace coffer::cli {

int commandKeygen(const std::vector<std::string>& argv);
int commandEncrypt(const std::vector<std::string>& argv);
int commandDecrypt(const std::vector<std::string>& argv);
int commandList(const std::vector<std::string>& argv);
int commandInspect(const std::vector<std::string>& argv);
int commandId(const std::vector<std::string>& argv);
int commandContacts(const std::vector<std::string>& argv);
int commandRekey(const std::vector<std::string>& argv);
int commandIntegrate(const std::vector<std::string>& argv); // IntegrateCommand.cpp
int commandMount(const std::vector<std::string>& argv);     // MountCommand.cpp
int commandUnmount(const std::vector<std::string>& argv);   // MountCommand.cpp
int commandUnlock(const std::vector<std::string>& argv);    // AgentCommands.cpp
int commandLock(const std::vector<std::string>& argv);      // AgentCommands.cpp
int commandAgent(const std::vector<std::string>& argv);     // AgentCommands.cpp
int runHelp(const std::vector<std::string>& argv);          // Cli.cpp
int runVersion(const std::vector<std::string>& argv);

/// For mount: the keys chosen (and asked for) as decrypt does, the container
/// opened with them, who signed it said on stderr; the keys are dropped then.
Result<IndexedReader> openForMount(const Args& args, const std::string& container);

} // namespace coffer::cli
