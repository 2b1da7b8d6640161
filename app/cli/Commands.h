// One function per subcommand; each returns an exit code.
#pragma once

#include "Args.h"
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
int runHelp(const std::vector<std::string>& argv);          // Cli.cpp
int runVersion(const std::vector<std::string>& argv);

} // namespace coffer::cli
