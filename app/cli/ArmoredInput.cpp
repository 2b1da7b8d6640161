// Armored inputs on the command line (ArmoredInput.h; FORMAT.md §14).
#include "ArmoredInput.h"

#include "ArmoredContainer.h"
#include "Paths.h"

namespace fs = std::filesystem;

namespace coffer::cli {

namespace {

// "report.coffer.txt" -> "report": the decoded file's name, for messages.
std::string decodedName(const fs::path& input)
{
    std::string name = input.filename().string();
    for (const std::string_view suffix : {".txt", ".asc", ".coffer"})
        if (name.size() > suffix.size() && name.ends_with(suffix))
            name.resize(name.size() - suffix.size());
    return name.empty() || name.starts_with('.') ? std::string("armored") : name;
}

} // namespace

Status dearmorArgument(Args& args, std::optional<OpenCopies>& holder)
{
    if (args.positional().empty() || args.positional()[0] == "-" || !isArmoredContainerFile(args.positional()[0]))
        return Status::success();
    const fs::path input = args.positional()[0];
    auto text = readArmoredText(input);
    COFFER_TRY(text);
    auto copies = OpenCopies::create(openCopiesBase(resolveDataLocations()));
    COFFER_TRY(copies);
    holder.emplace(std::move(*copies));
    auto decoded = dearmorInto(*text, *holder, decodedName(input));
    if (!decoded.ok()) {
        holder.reset(); // removes the folder
        return decoded.error();
    }
    args.setPositional(0, decoded->string());
    return Status::success();
}

} // namespace coffer::cli
