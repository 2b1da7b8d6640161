// About Coffer: what it is, its version (the one `coffer --version` prints),
// the libraries it runs on, and its licence; Copy puts it all on the
// clipboard for a bug report.
#pragma once

#include "FittedDialog.h"

class QLabel;
class QPushButton;

namespace coffer::ui {

class AboutDialog : public FittedDialog {
    Q_OBJECT

public:
    explicit AboutDialog(QWidget* parent = nullptr);

    /// "Version 0.1.0 (container format v1)".
    QString versionText() const;
    /// "Botan 2.19.3, zstd 1.5.4, Qt 6.4.2".
    QString librariesText() const;
    QString licenceText() const;
    /// Everything above on plain lines, as Copy puts it on the clipboard.
    QString summary() const;
    QPushButton* copyButton() const { return m_copy; }

private:
    QLabel* m_version;
    QLabel* m_libraries;
    QLabel* m_licence;
    QPushButton* m_copy;
};

} // namespace coffer::ui
