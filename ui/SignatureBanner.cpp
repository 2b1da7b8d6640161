#include "SignatureBanner.h"

#include "UntrustedText.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QVBoxLayout>

namespace coffer::ui {

namespace {

QString shownName(const std::string& name)
{
    return name == "you" ? SignatureBanner::tr("you") : displayable(name);
}

} // namespace

SignatureBanner::SignatureBanner(QWidget* parent)
    : QWidget(parent), m_notice(new NoticePanel(this)), m_addContact(new QPushButton(tr("&Add to contacts…"), this))
{
    m_notice->setAccessibleName(tr("Signature"));
    m_addContact->setAccessibleName(tr("Add the signer to your contacts"));
    m_addContact->hide();
    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(m_addContact);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_notice);
    layout->addLayout(row);
    connect(m_addContact, &QPushButton::clicked, this, [this]() { emit addSignerRequested(m_signerCard); });
}

NoticePanel::Kind SignatureBanner::kindFor(const SignatureReport& report)
{
    if (!report.addressedToReader || !report.audienceChecked)
        return NoticePanel::Kind::Warning;
    switch (report.state) {
    case SignerState::VerifiedContact:
    case SignerState::Me:
        return NoticePanel::Kind::Success;
    case SignerState::UnverifiedContact:
    case SignerState::UnknownKey:
        return NoticePanel::Kind::Warning;
    case SignerState::Unsigned:
        break;
    }
    // An unsigned container is normal (a passphrase, a sender with no
    // identity): plain information, not the red kept for what is wrong.
    return NoticePanel::Kind::Info;
}

QString SignatureBanner::describe(const SignatureReport& report)
{
    const QString name = displayable(report.signerName);
    const QString fingerprint = QString::fromStdString(report.signerFingerprint);
    QString text;
    switch (report.state) {
    case SignerState::Unsigned:
        text = tr("Unsigned: Coffer cannot tell who made this container. Anyone who had a key to it could have "
                  "made it; trust it only as far as you trust where it came from.");
        break;
    case SignerState::Me:
        text = report.ownIdentityName.empty() ? tr("Signed by you.")
                                              : tr("Signed by you (%1).").arg(displayable(report.ownIdentityName));
        break;
    case SignerState::VerifiedContact:
        text = tr("Verified: signed by %1, whose fingerprint you compared.").arg(name);
        break;
    case SignerState::UnverifiedContact:
        text = tr("Unverified: signed by %1, but you have not compared fingerprints yet. Do it in Contacts to be "
                  "sure the card is really theirs.")
                   .arg(name);
        break;
    case SignerState::UnknownKey:
        text = tr("Unknown signer: signed by a key that is not in your contacts (fingerprint %1). If you know who "
                  "it is, add their card and compare the fingerprint.")
                   .arg(fingerprint);
        break;
    }
    // Like the CLI: the recipient list is only worth showing when a signature binds it.
    if (report.state != SignerState::Unsigned && !report.intendedRecipients.empty()) {
        QStringList names;
        for (const auto& r : report.intendedRecipients) {
            QString shown = shownName(r);
            if (shown.size() > 24)
                shown = shown.left(20) + QStringLiteral("…");
            names << shown;
        }
        text += QLatin1Char('\n') + tr("Sent to: %1.").arg(names.join(QStringLiteral(", ")));
    }
    if (!report.addressedToReader)
        text += QLatin1Char('\n') + tr("Note: you are not among the people the sender chose. It was passed on to "
                                       "you after it was signed.");
    else if (report.state != SignerState::Unsigned && !report.audienceChecked)
        text += QLatin1Char('\n') + tr("Note: Coffer cannot check that the sender chose this passphrase (it was "
                                       "signed by an older Coffer). It may have been passed on to you after it "
                                       "was signed.");
    return text;
}

void SignatureBanner::setReport(const SignatureReport& report)
{
    m_notice->showMessage(kindFor(report), describe(report));
    m_signerCard = QString::fromStdString(report.signerCard);
    m_addContact->setVisible(report.state == SignerState::UnknownKey && !m_signerCard.isEmpty());
}

void SignatureBanner::showAgeNotice()
{
    m_notice->showMessage(NoticePanel::Kind::Info,
                          tr("age files are not signed: Coffer cannot tell who made this file. Trust it only as far "
                             "as you trust where it came from."));
    m_signerCard.clear();
    m_addContact->hide();
}

QString SignatureBanner::text() const
{
    return m_notice->text();
}

NoticePanel::Kind SignatureBanner::kind() const
{
    return m_notice->kind();
}

} // namespace coffer::ui
