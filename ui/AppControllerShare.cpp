// AppController: "Open from clipboard" and dropped text (FORMAT.md §14). The
// armor is transport only: it is checked strictly, decoded into a private
// folder (0700 under $XDG_RUNTIME_DIR/coffer, as opened copies are) and the
// container then opens like any other, with every usual check.
#include "AppController.h"

#include "AppContext.h"
#include "ArmoredContainer.h"
#include "ContainerWindow.h"
#include "ErrorText.h"
#include "MainWindow.h"
#include "MessageBox.h"
#include "OpenCopies.h"
#include "PathText.h"

#include <QClipboard>
#include <QGuiApplication>

#include <memory>

namespace coffer::ui {

ContainerWindow* AppController::openClipboard()
{
    return openArmoredText(QGuiApplication::clipboard()->text());
}

ContainerWindow* AppController::openArmoredText(const QString& text)
{
    const QString title = tr("Could not open the text");
    const std::string utf8 = text.toStdString(); // ciphertext: no secret here
    if (!looksLikeArmoredContainer(utf8)) {
        MessageBox::warning(m_main, title,
                            tr("This is not a container copied as text.\n\nCopy the whole text again, from its "
                               "line \"-----BEGIN COFFER ENCRYPTED FILE-----\" to its END line, and try again."));
        return nullptr;
    }
    auto made = OpenCopies::create(openCopiesBase(m_context.locations()));
    if (!made.ok()) {
        MessageBox::warning(m_main, title, ErrorText::describe(made.error()).text());
        return nullptr;
    }
    auto copies = std::make_shared<OpenCopies>(std::move(*made));
    auto file = dearmorInto(utf8, *copies);
    if (!file.ok()) {
        copies->removeAll();
        UserMessage m = ErrorText::describe(file.error());
        if (file.error().code == ErrorCode::Damaged || file.error().code == ErrorCode::LimitExceeded) {
            m.headline = tr("This text is not a whole container copied from Coffer.");
            m.advice = file.error().code == ErrorCode::LimitExceeded
                           ? tr("Only a container of 64 KiB or less travels as text: ask the sender to attach "
                                "the container as a file.")
                           : tr("Copy the whole text again, from its BEGIN line to its END line, unchanged, and "
                                "try again. Nothing was opened.");
        }
        MessageBox::warning(m_main, title, m.text());
        return nullptr;
    }
    ContainerWindow* window = openContainer(toQString(*file));
    if (!window) {
        copies->removeAll();
        return nullptr;
    }
    // The decoded file lives as long as its window.
    connect(window, &QObject::destroyed, this, [copies]() { copies->removeAll(); });
    return window;
}

} // namespace coffer::ui
