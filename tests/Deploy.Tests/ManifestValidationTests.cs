using System.Diagnostics;
using Xunit;

namespace PortalPlatform.Deploy.Tests;

/// <summary>
/// CI's check of deploy/: the kustomize base and every overlay render, and every object is valid against the
/// Kubernetes schemas and the platform's rules (deploy/validate). A broken copy proves the check can fail.
/// </summary>
public sealed class ManifestValidationTests
{
    private static readonly string Repository = FindRepository();
    private static readonly string Validate = Path.Combine(Repository, "deploy", "validate");

    [Fact]
    public async Task The_base_and_every_overlay_render_and_every_object_is_valid()
    {
        var (exitCode, output) = await RunAsync();

        Assert.True(exitCode == 0, output);
        Assert.Contains("== " + Path.Combine(Repository, "deploy", "base"), output);
        Assert.Contains("== " + Path.Combine(Repository, "deploy", "overlays", "production"), output);
        Assert.Equal(2, output.Split('\n').Count(line => line.EndsWith(" objects, 0 problems", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("replicas: 2", "replicas: two", "spec/replicas must be integer")]
    [InlineData("apiVersion: policy/v1", "apiVersion: policy/v1beta9", "no schema for policy/v1beta9 PodDisruptionBudget")]
    [InlineData("path: /alive\n              port: http\n            periodSeconds: 10", "path: /\n              port: http\n            periodSeconds: 10", "liveness probe must be GET /alive")]
    [InlineData("      port: 80\n", "      port: 80\n     targetPort: http\n", "syntax error")]
    public async Task A_broken_copy_of_the_base_fails_and_the_output_names_the_problem(string original, string broken, string reported)
    {
        var copy = Directory.CreateTempSubdirectory("portal-deploy-");
        try
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository, "deploy", "base")))
            {
                File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));
            }

            var enrollment = Path.Combine(copy.FullName, "enrollment.yaml");
            var manifest = await File.ReadAllTextAsync(enrollment);
            Assert.Contains(original, manifest);
            await File.WriteAllTextAsync(enrollment, manifest.Replace(original, broken, StringComparison.Ordinal));

            var (exitCode, output) = await RunAsync(copy.FullName);

            Assert.True(exitCode != 0, output);
            Assert.Contains(reported, output);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] directories)
    {
        var start = new ProcessStartInfo(Validate) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var directory in directories)
        {
            start.ArgumentList.Add(directory);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PortalPlatform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("PortalPlatform.sln not found above " + AppContext.BaseDirectory);
    }
}
