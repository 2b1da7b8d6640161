// The GUI's settings: an INI file in the config folder (in portable mode that
// folder is beside the executable, so nothing is written elsewhere).
#pragma once

#include "ArchiveWriter.h"

#include <QObject>
#include <QSettings>
#include <QStringList>

#include <filesystem>

namespace coffer::ui {

class Settings : public QObject {
    Q_OBJECT

public:
    explicit Settings(const std::filesystem::path& configDir, QObject* parent = nullptr);

    Compression defaultCompression() const;
    void setDefaultCompression(Compression compression);
    bool signByDefault() const;
    void setSignByDefault(bool sign);
    /// Minutes of inactivity before the keyring is locked; 0 = never.
    int autoLockMinutes() const;
    void setAutoLockMinutes(int minutes);
    /// Unlocking the app starts the key agent too (issue 22), so other windows
    /// and `coffer` commands need no passphrase until it locks; default on.
    bool keepKeysForOthers() const;
    void setKeepKeysForOthers(bool keep);
    /// Keep the keyring passphrase in the system keyring (off by default; never in portable mode).
    bool rememberPassphrase() const;
    void setRememberPassphrase(bool remember);
    /// Where new containers go; empty = next to the first input.
    QString defaultOutputFolder() const;
    void setDefaultOutputFolder(const QString& folder);

    /// Most recent first, at most kMaxRecent.
    QStringList recentContainers() const;
    void addRecentContainer(const QString& path);
    void removeRecentContainer(const QString& path);

    QString fileName() const { return m_settings.fileName(); }
    void sync() { m_settings.sync(); }

    static constexpr int kMaxRecent = 10;
    static constexpr int kDefaultAutoLockMinutes = 15;

signals:
    void changed();
    void recentChanged();

private:
    mutable QSettings m_settings;
};

} // namespace coffer::ui
