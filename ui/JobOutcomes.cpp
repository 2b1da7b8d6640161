#include "JobOutcomes.h"

namespace coffer::ui {

JobOutcome outcomeOf(const Result<ExtractSummary>& result, const std::filesystem::path& destination, JobControl& job)
{
    JobOutcome outcome;
    if (!result.ok()) {
        outcome.error = result.error();
        return outcome;
    }
    outcome.output = destination;
    outcome.files = result->files;
    outcome.bytes = result->bytes;
    outcome.warnings = job.warnings();
    return outcome;
}

JobOutcome outcomeOf(const Result<EncryptSummary>& result)
{
    JobOutcome outcome;
    if (!result.ok()) {
        outcome.error = result.error();
        return outcome;
    }
    outcome.output = result->output;
    outcome.files = result->files;
    outcome.bytes = result->plainBytes;
    outcome.warnings = result->warnings;
    return outcome;
}

} // namespace coffer::ui
