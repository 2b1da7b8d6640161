// What every window of the GUI shares: where data lives, the settings, the
// keyring session, and how many long jobs are running (auto-lock waits for
// them).
#pragma once

#include "KeyringSession.h"
#include "Paths.h"
#include "Settings.h"

#include <QObject>

namespace coffer::ui {

class AppContext : public QObject {
    Q_OBJECT

public:
    /// Uses resolveDataLocations() (COFFER_HOME, portable mode or the platform folders).
    explicit AppContext(QObject* parent = nullptr);
    AppContext(DataLocations locations, QObject* parent = nullptr);

    const DataLocations& locations() const { return m_locations; }
    Settings& settings() { return *m_settings; }
    KeyringSession& keyring() { return *m_keyring; }

    void jobStarted();
    void jobEnded();
    int runningJobs() const { return m_runningJobs; }

private:
    DataLocations m_locations;
    Settings* m_settings;
    KeyringSession* m_keyring;
    int m_runningJobs = 0;
};

} // namespace coffer::ui
