// Who signed a container and to whom it was sent, in plain words. Colour
// helps, but the icon and the first word say it too ("Verified:",
// "Unverified:", "Unsigned:").
#pragma once

#include "NoticePanel.h"
#include "SignatureStatus.h"

#include <QWidget>

class QPushButton;

namespace coffer::ui {

class SignatureBanner : public QWidget {
    Q_OBJECT

public:
    explicit SignatureBanner(QWidget* parent = nullptr);

    void setReport(const SignatureReport& report);
    /// For an age file, which has no signature at all: said plainly, not as a warning.
    void showAgeNotice();
    QString text() const;
    NoticePanel::Kind kind() const;

    static NoticePanel::Kind kindFor(const SignatureReport& report);
    static QString describe(const SignatureReport& report);

signals:
    /// The user wants to add the unknown signer's card to the contacts.
    void addSignerRequested(const QString& card);

private:
    NoticePanel* m_notice;
    QPushButton* m_addContact;
    QString m_signerCard;
};

} // namespace coffer::ui
