#include "AppContext.h"

namespace coffer::ui {

AppContext::AppContext(QObject* parent) : AppContext(resolveDataLocations(), parent) {}

AppContext::AppContext(DataLocations locations, QObject* parent)
    : QObject(parent), m_locations(std::move(locations)), m_settings(new Settings(m_locations.configDir, this)),
      m_keyring(new KeyringSession(m_locations.dataDir, this))
{}

void AppContext::jobStarted()
{
    ++m_runningJobs;
}

void AppContext::jobEnded()
{
    m_runningJobs = qMax(0, m_runningJobs - 1);
}

} // namespace coffer::ui
