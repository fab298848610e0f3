using System.Diagnostics;

namespace PortalPlatform.Hosting.Local;

/// <summary>
/// Runs a clean-up command once a process is gone, however it went (a killed test host leaves no server behind).
/// </summary>
public static class Watchdog
{
    public static void RunWhenGone(int processId, string shellCommand)
    {
        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "bash", "-c", $"while kill -0 {processId} 2>/dev/null; do sleep 1; done; {shellCommand}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var _ = Process.Start(start);
    }
}
