#include "ContainerTestSupport.h"

#include "ContainerModel.h"
#include "Encrypt.h"
#include "PathText.h"

#include <QTreeView>

#include <sys/stat.h>

namespace coffer::test::ui {

void encryptToSelf(AppContext& context, const std::vector<std::filesystem::path>& inputs,
                   const std::filesystem::path& output)
{
    EncryptRequest request;
    request.inputs = inputs;
    request.recipients.push_back(recipientOf(identityOf(context)));
    request.output = output;
    JobControl job;
    auto encrypted = encryptFiles(request, job);
    ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
}

coffer::ui::ContainerWindow* openLoaded(AppContext& context, const std::filesystem::path& container)
{
    auto* window = new coffer::ui::ContainerWindow(context, coffer::ui::toQString(container));
    QSignalSpy loaded(window, &coffer::ui::ContainerWindow::loadFinished);
    window->show();
    EXPECT_TRUE(waitFor(loaded));
    EXPECT_TRUE(window->isLoaded()) << window->messageText().toStdString();
    return window;
}

QStringList shownPaths(const coffer::ui::ContainerWindow& window, const QModelIndex& parent)
{
    QStringList paths;
    auto* model = window.model();
    for (int row = 0; row < model->rowCount(parent); ++row) {
        const QModelIndex index = model->index(row, 0, parent);
        paths << model->archivePath(index);
        paths << shownPaths(window, index);
    }
    return paths;
}

unsigned modeOf(const std::filesystem::path& path)
{
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

} // namespace coffer::test::ui
