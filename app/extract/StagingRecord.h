// How Coffer knows a staging folder is its own (WRITER.md §5, SECURITY.md
// "Extraction safety"): before it creates ".coffer-extract-XXXXXXXXXXXX" in a
// destination, it records that name, with the destination folder's inode, in
// the user's private state folder (0700), and removes the record once the
// folder is gone. A folder named like one that has no record -- the user's
// own, or one another program put there -- is never Coffer's to remove, and
// a container cannot create the name at all (§5.5).
#pragma once

#include "FileIO.h"

#include <string>

namespace coffer {

class StagingRecords {
public:
    /// The records in resolveDataLocations().stateDir; records nothing (and
    /// recognises nothing) if that folder cannot be made, or is not private.
    static StagingRecords open();

    /// Records staging folder `name` in the destination folder `destFd`,
    /// before the folder exists. False if it could not (then a folder left by
    /// a kill is never recognised, which is safe).
    bool add(const std::string& name, int destFd);
    void remove(const std::string& name);
    /// True if `name` in `destFd` is a staging folder that Coffer recorded.
    bool has(const std::string& name, int destFd) const;

private:
    UniqueFd m_dir; // <stateDir>/staging, owned by this user, mode 0700
};

} // namespace coffer
