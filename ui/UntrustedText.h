// Untrusted text for widgets: app's displayable() for QString. Use it for
// every name and path Coffer did not write, and show it in plain-text labels
// (Qt::PlainText), never in one that would render HTML.
#pragma once

#include "DisplayText.h"

#include <QString>

namespace coffer::ui {

inline QString displayable(const std::string& untrusted)
{
    return QString::fromStdString(coffer::displayable(untrusted));
}

inline QString displayable(const QString& untrusted)
{
    return displayable(untrusted.toStdString());
}

} // namespace coffer::ui
