#include "Job.h"

namespace coffer {

void JobControl::report(const Progress& progress, bool force)
{
    if (!m_callback)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - m_lastReport < std::chrono::milliseconds(50))
        return;
    m_lastReport = now;
    m_callback(progress);
}

} // namespace coffer
