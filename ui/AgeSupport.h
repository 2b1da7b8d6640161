// age files in the GUI (issue 20; FORMAT.md §13): which paths open as age
// files, the jobs that list, extract and write them off the GUI thread, and
// what the user is told. The windows (ContainerWindow, EncryptDialog) call
// these so that they stay about containers.
#pragma once

#include "AgeFiles.h"
#include "ErrorText.h"
#include "JobRunner.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace coffer::ui {

/// True for a file that opens as an age file: named *.age, or a regular file
/// that begins like one (binary or armored), whatever its name.
bool isAgePath(const QString& path);

/// Lists an age file, each entry to `each` as it is read (listAge). An
/// scrypt file opened without (or with the wrong) passphrase fails with
/// PassphraseNeeded (or WrongPassphrase), as a container does, so that the
/// window asks for it.
Status listAgeFile(const std::filesystem::path& path, const crypto::age::AgeKeys& keys, bool passphraseGiven,
                   const std::function<void(const IndexEntry&)>& each);

/// The extraction job for an age file, with a container's rules (AgeFiles.h).
JobRunner::Work ageExtractJob(std::shared_ptr<ExtractRequest> request, std::shared_ptr<crypto::age::AgeKeys> keys);

/// The encryption job for an age file.
JobRunner::Work ageEncryptJob(std::shared_ptr<AgeEncryptRequest> request);

/// "NAME.age" for one file, "NAME.tar.age" for several or a folder, next to
/// the first input (or in the default output folder).
QString ageOutputFor(const QStringList& inputs, const QString& outputFolder);

/// Why these recipients cannot receive an age file, in plain words; empty if
/// they can. age takes X25519 keys (Coffer cards, age keys) or one passphrase
/// alone.
QString ageRecipientProblem(const std::vector<crypto::RecipientKey>& recipients, const QStringList& names,
                            bool passphrase);

/// An age failure for the user: ageError() already says it plainly.
UserMessage describeAgeError(const Error& error);

} // namespace coffer::ui
