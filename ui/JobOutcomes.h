// What an encryption or an extraction job reports to its window: the one
// translation from app's summaries to a JobOutcome (JobRunner.h).
#pragma once

#include "Encrypt.h"
#include "Extract.h"
#include "JobRunner.h"

namespace coffer::ui {

/// An extraction into `destination`: the files and bytes written, the job's warnings.
JobOutcome outcomeOf(const Result<ExtractSummary>& result, const std::filesystem::path& destination, JobControl& job);
/// An encryption: the file written, the files and plain bytes it holds, its warnings.
JobOutcome outcomeOf(const Result<EncryptSummary>& result);

} // namespace coffer::ui
