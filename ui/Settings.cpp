#include "Settings.h"

#include <QDir>

namespace coffer::ui {

namespace {

const char* kCompression = "encrypt/compression";
const char* kSign = "encrypt/sign";
const char* kOutputFolder = "encrypt/outputFolder";
const char* kAutoLock = "security/autoLockMinutes";
const char* kRecent = "recent/containers";
const char* kKeepKeys = "security/keepKeysForOthers";
const char* kRememberPassphrase = "security/rememberPassphraseInSystemKeyring";

QString compressionName(Compression c)
{
    switch (c) {
    case Compression::Off:
        return QStringLiteral("off");
    case Compression::Max:
        return QStringLiteral("max");
    case Compression::Auto:
        break;
    }
    return QStringLiteral("auto");
}

} // namespace

Settings::Settings(const std::filesystem::path& configDir, QObject* parent)
    : QObject(parent),
      m_settings(QDir(QString::fromStdString(configDir.string())).filePath(QStringLiteral("coffer.ini")),
                 QSettings::IniFormat)
{}

Compression Settings::defaultCompression() const
{
    const QString v = m_settings.value(kCompression, QStringLiteral("auto")).toString();
    if (v == QLatin1String("off"))
        return Compression::Off;
    if (v == QLatin1String("max"))
        return Compression::Max;
    return Compression::Auto;
}

void Settings::setDefaultCompression(Compression compression)
{
    m_settings.setValue(kCompression, compressionName(compression));
    emit changed();
}

bool Settings::signByDefault() const
{
    return m_settings.value(kSign, true).toBool();
}

void Settings::setSignByDefault(bool sign)
{
    m_settings.setValue(kSign, sign);
    emit changed();
}

bool Settings::keepKeysForOthers() const
{
    return m_settings.value(kKeepKeys, true).toBool();
}

void Settings::setKeepKeysForOthers(bool keep)
{
    m_settings.setValue(kKeepKeys, keep);
    emit changed();
}

bool Settings::rememberPassphrase() const
{
    return m_settings.value(kRememberPassphrase, false).toBool();
}

void Settings::setRememberPassphrase(bool remember)
{
    m_settings.setValue(kRememberPassphrase, remember);
    emit changed();
}

int Settings::autoLockMinutes() const
{
    bool ok = false;
    const int v = m_settings.value(kAutoLock, kDefaultAutoLockMinutes).toInt(&ok);
    return ok && v >= 0 ? v : kDefaultAutoLockMinutes;
}

void Settings::setAutoLockMinutes(int minutes)
{
    m_settings.setValue(kAutoLock, qMax(0, minutes));
    emit changed();
}

QString Settings::defaultOutputFolder() const
{
    return m_settings.value(kOutputFolder).toString();
}

void Settings::setDefaultOutputFolder(const QString& folder)
{
    m_settings.setValue(kOutputFolder, folder);
    emit changed();
}

QStringList Settings::recentContainers() const
{
    return m_settings.value(kRecent).toStringList();
}

void Settings::addRecentContainer(const QString& path)
{
    QStringList list = recentContainers();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecent)
        list.removeLast();
    m_settings.setValue(kRecent, list);
    emit recentChanged();
}

void Settings::removeRecentContainer(const QString& path)
{
    QStringList list = recentContainers();
    if (list.removeAll(path) == 0)
        return;
    m_settings.setValue(kRecent, list);
    emit recentChanged();
}

} // namespace coffer::ui
