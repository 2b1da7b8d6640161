#include "Args.h"

namespace coffer::cli {

Args::Args(std::vector<std::string> argv, std::set<std::string> flags, std::set<std::string> withValue,
           std::map<std::string, std::string> aliases)
{
    bool onlyPositional = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        std::string a = argv[i];
        if (onlyPositional || a == "-" || a.empty() || a[0] != '-') {
            m_positional.push_back(a);
            continue;
        }
        if (a == "--") {
            onlyPositional = true;
            continue;
        }
        std::optional<std::string> inlineValue;
        if (const auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
            inlineValue = a.substr(eq + 1);
            a = a.substr(0, eq);
        }
        if (const auto it = aliases.find(a); it != aliases.end())
            a = it->second;
        if (flags.count(a)) {
            if (inlineValue) {
                m_error = "option " + a + " takes no value";
                return;
            }
            m_values.emplace(a, "");
        } else if (withValue.count(a)) {
            if (inlineValue) {
                m_values.emplace(a, *inlineValue);
            } else if (i + 1 < argv.size()) {
                m_values.emplace(a, argv[++i]);
            } else {
                m_error = "option " + a + " needs a value";
                return;
            }
        } else {
            m_error = "unknown option " + argv[i];
            return;
        }
    }
}

std::vector<std::string> Args::all(const std::string& name) const
{
    std::vector<std::string> out;
    const auto [b, e] = m_values.equal_range(name);
    for (auto it = b; it != e; ++it)
        out.push_back(it->second);
    return out;
}

std::optional<std::string> Args::one(const std::string& name) const
{
    const auto it = m_values.find(name);
    if (it == m_values.end())
        return std::nullopt;
    return it->second;
}

} // namespace coffer::cli
