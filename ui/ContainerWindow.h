// The Open flow: a container's contents at once (listing reads only the
// header, the last chunks and the index), who signed it, and Extract all /
// Extract selected with the same progress and Cancel as encryption. A
// container the keyring cannot open but that has a passphrase stanza asks for
// the passphrase inside the window.
#pragma once

#include "SecureMemory.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeView;

namespace coffer::ui {

class AppContext;
class ContainerModel;
class JobProgressWidget;
class JobRunner;
class NoticePanel;
class SignatureBanner;

class ContainerWindow : public QWidget {
    Q_OBJECT

public:
    ContainerWindow(AppContext& context, const QString& path, QWidget* parent = nullptr);
    ~ContainerWindow() override;

    bool isLoaded() const { return m_loaded; }
    ContainerModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    SignatureBanner* banner() const { return m_banner; }
    QString messageText() const;
    QLineEdit* passphraseField() const { return m_passphraseEdit; }
    bool isAskingForPassphrase() const;
    QPushButton* extractSelectedButton() const { return m_extractSelected; }
    QPushButton* extractAllButton() const { return m_extractAll; }
    JobRunner* runner() const { return m_runner; }
    JobProgressWidget* progressView() const { return m_progress; }

public slots:
    /// Lists the container (again), with the keyring and any passphrase given.
    void load();
    void extractAll();
    void extractSelected();

signals:
    void loadFinished(bool ok);
    void addContactRequested(const QString& card);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    struct Attempt;
    void onListed(Attempt attempt);
    void submitPassphrase();
    void extract(std::vector<std::string> only);
    void onExtractFinished();
    void setControlsEnabled(bool enabled);

    AppContext& m_context;
    QString m_path;
    std::optional<crypto::SecureString> m_passphrase; // wiped when the window closes
    bool m_loaded = false;
    bool m_closeWhenDone = false;
    QString m_destination;

    QLabel* m_title;
    SignatureBanner* m_banner;
    NoticePanel* m_message;
    QWidget* m_passphraseRow;
    QLineEdit* m_passphraseEdit;
    QPushButton* m_passphraseOpen;
    ContainerModel* m_model;
    QTreeView* m_view;
    QPushButton* m_extractSelected;
    QPushButton* m_extractAll;
    QWidget* m_buttonRow;
    JobProgressWidget* m_progress;
    JobRunner* m_runner;
};

} // namespace coffer::ui
