// The Open flow: a container's contents at once (listing reads only the
// header, the last chunks and the index), who signed it, and Extract all /
// Extract selected with the same progress and Cancel as encryption. A
// container the keyring cannot open but that has a passphrase stanza asks for
// the passphrase inside the window. A file opens with a double click or Enter
// and entries drag out (OpenEntry.h); the box above the tree finds entries
// (EntryFilter.h). An age file opens in the same window
// (ContainerWindowAge.cpp): its contents, "not signed", Extract. "Share…"
// sends the container on (ShareButton.h).
#pragma once

#include "Extract.h"
#include "SecureMemory.h"

#include <QWidget>

#include <memory>
#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeView;

namespace coffer::ui {

class AppContext;
class ContainerModel;
class EntryFilterBar;
class EntryOpener;
class JobProgressWidget;
class JobRunner;
class NoticePanel;
class ShareButton;
class SignatureBanner;

class ContainerWindow : public QWidget {
    Q_OBJECT

public:
    ContainerWindow(AppContext& context, const QString& path, QWidget* parent = nullptr);
    ~ContainerWindow() override;

    bool isLoaded() const { return m_loaded; }
    bool isAgeFile() const { return m_age; }
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
    ShareButton* shareButton() const { return m_share; }
    EntryFilterBar* filterBar() const { return m_filterBar; }
    EntryOpener* opener() const { return m_opener; }
    /// Removes the copies of opened files at once, changed or not (Coffer locks).
    void dropOpenedCopies();
    /// The most memory a window's tree may take (EntryTree::kBudget); tests lower it.
    static void setTreeBudget(std::size_t bytes);
    static std::size_t treeBudget();

public slots:
    /// Lists the container (again), with the keyring and any passphrase given.
    void load();
    void extractAll();
    void extractSelected();
    /// Opens a file with the desktop's application; a folder opens or closes.
    void activateEntry(const QModelIndex& index);

signals:
    void loadFinished(bool ok);
    void addContactRequested(const QString& card);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    struct Attempt;
    void onListed(Attempt attempt);
    /// A listing whose tree would pass its budget: said, and nothing shown.
    void refuseTooManyNames();
    /// The end of a successful load (container or age file): title, tree, focus.
    void showLoaded(std::size_t entryCount);
    void submitPassphrase();
    void extract(std::vector<std::string> only);
    void onExtractFinished();
    void setControlsEnabled(bool enabled);
    // age files (ContainerWindowAge.cpp)
    void loadAge();
    struct AgeAttempt;
    void onAgeListed(AgeAttempt attempt);
    void extractAgeFile(std::shared_ptr<ExtractRequest> request);
    void onOrderChanged();
    void enterList();

    AppContext& m_context;
    QString m_path;
    std::optional<crypto::SecureString> m_passphrase; // wiped when the window closes
    bool m_age = false;                               // an age file, not a container (isAgePath)
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
    EntryFilterBar* m_filterBar;
    QTreeView* m_view;
    EntryOpener* m_opener;
    QPushButton* m_extractSelected;
    QPushButton* m_extractAll;
    QWidget* m_buttonRow;
    ShareButton* m_share;
    JobProgressWidget* m_progress;
    JobRunner* m_runner;
};

} // namespace coffer::ui
