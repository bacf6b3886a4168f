namespace Bittensor.Ledger.Chain.Tests;

/// <summary>The recorded mainnet responses in <c>shared/fixtures/chain</c>, found by walking up from the test binary.</summary>
internal static class Fixtures
{
    private static readonly Lazy<string> Directory = new(Find);

    /// <summary>The absolute path of <c>shared/fixtures/chain</c>.</summary>
    public static string ChainDirectory => Directory.Value;

    /// <summary>The absolute path of one fixture file, e.g. <c>block-7959635-recordings.json</c>.</summary>
    public static string ChainFile(string name) => Path.Combine(ChainDirectory, name);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "chain");
            if (System.IO.Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            $"no shared/fixtures/chain directory above {AppContext.BaseDirectory}; the chain tests need the recordings.");
    }
}
