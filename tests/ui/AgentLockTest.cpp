// Locking the window locks the key agent too (issue 22, item 3): a person who
// presses Lock (or walks away until the idle lock) expects no process of
// theirs to go on opening containers. A real `coffer unlock` starts the
// agent; the real AppController locks; the agent is gone.
#include "AgentHarness.h"

#include "AppContext.h"
#include "AppController.h"
#include "UiTestSupport.h"

#include <cstdlib>

namespace {

using namespace coffer::test::agent;
using coffer::test::ui::UiTest;

class AgentLockTest : public UiTest {};

TEST_F(AgentLockTest, LockingTheWindowLocksTheAgent)
{
    AgentUser u;
    const Outcome unlocked = u.unlock("--idle-timeout 600");
    ASSERT_EQ(unlocked.code, kExitOk) << unlocked.output;
    const fs::path socket = u.socket();
    const pid_t pid = agentPid(socket);
    ASSERT_GT(pid, 0) << "coffer unlock started no agent";

    // The GUI of the same person: same keyring, same runtime folder.
    ::setenv("COFFER_HOME", u.person.home.c_str(), 1);
    ::setenv("XDG_RUNTIME_DIR", u.runtime.c_str(), 1);
    {
        coffer::ui::AppContext context;
        coffer::ui::AppController controller(context);
        controller.lock();
    }
    ::unsetenv("XDG_RUNTIME_DIR");

    EXPECT_TRUE(eventually([&] { return !running(pid); })) << "the agent still runs after the window locked";
    EXPECT_EQ(agentPid(socket), 0) << "something still answers on the agent's socket";
}

} // namespace
