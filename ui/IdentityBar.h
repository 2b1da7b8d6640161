// My card's row of identities (issue 23, KEYRING.md "Several identities"):
// which identity's card is shown (a combo box when there are two or more),
// "New identity…", "Make default" and "Remove…" (after a warning that
// containers sent to it can no longer be opened). Changes go through
// KeyringSession::update; the row follows the keyring when it changes.
#pragma once

#include "Keyring.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QPushButton;

namespace coffer::ui {

class AppContext;

class IdentityBar : public QWidget {
    Q_OBJECT

public:
    explicit IdentityBar(AppContext& context, QWidget* parent = nullptr);

    QComboBox* combo() const { return m_combo; }
    QPushButton* newButton() const { return m_new; }
    QPushButton* defaultButton() const { return m_default; }
    QPushButton* removeButton() const { return m_remove; }
    /// The fingerprint of the identity shown (empty: none).
    QString currentFingerprint() const;

public slots:
    /// Asks a name (MessageBox::getText) and adds an identity with it.
    void newIdentity();
    void makeCurrentDefault();
    /// Warns, asks (MessageBox::question), then removes the identity shown.
    void removeCurrent();
    /// Lists the keyring's identities again, keeping the one shown if it is still there.
    void refresh();

signals:
    void currentChanged(const QString& fingerprint);
    /// What happened, for the dialog's status line.
    void message(const QString& text);

private:
    void update(std::function<Status(Keyring&)> change, const QString& done, const QString& show);

    AppContext& m_context;
    QLabel* m_label;
    QComboBox* m_combo;
    QPushButton* m_new;
    QPushButton* m_default;
    QPushButton* m_remove;
    QString m_showAfterUpdate;
};

} // namespace coffer::ui
