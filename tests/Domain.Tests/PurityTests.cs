using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Bittensor.Ledger.Domain.Epochs;

namespace Bittensor.Ledger.Domain.Tests;

/// <summary>
/// The write model (facts, rules, books, coinbase clock, epoch scheduling and distribution) must stay pure
/// (docs/adr/0008): it references the BCL and Consensus only, and no clock, IO, randomness or tasks. Checked on the
/// compiled assembly's metadata, like Consensus's own purity test.
/// </summary>
public sealed class PurityTests
{
    private static readonly string[] BannedTypes =
    [
        "System.DateTime", "System.DateTimeOffset", "System.Random", "System.Environment", "System.Diagnostics.Stopwatch",
        "System.TimeProvider", "System.Threading.Thread", "System.Security.Cryptography.RandomNumberGenerator",
    ];

    private static readonly string[] BannedNamespaces = ["System.IO", "System.Net", "System.Threading.Tasks"];

    private static PEReader OpenAssembly() => new(File.OpenRead(typeof(LedgerEngine).Assembly.Location));

    [Fact]
    public void AssemblyReferences_AreTheBclAndConsensus()
    {
        using var pe = OpenAssembly();
        var md = pe.GetMetadataReader();
        var names = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToList();
        names.ShouldContain("Bittensor.Ledger.Consensus");
        names.ShouldAllBe(n => n == "Bittensor.Ledger.Consensus" || n.StartsWith("System.", StringComparison.Ordinal));
    }

    [Fact]
    public void TypeReferences_AvoidClockIoRandomnessAndTasks()
    {
        using var pe = OpenAssembly();
        var md = pe.GetMetadataReader();
        var referenced = md.TypeReferences.Select(h => md.GetTypeReference(h))
            .Select(t => $"{md.GetString(t.Namespace)}.{md.GetString(t.Name)}").ToList();
        referenced.ShouldContain("Bittensor.Ledger.Consensus.Yuma.YumaMechanisms");
        referenced.ShouldNotContain(t => BannedTypes.Contains(t));
        referenced.ShouldNotContain(t => BannedNamespaces.Any(ns => t.StartsWith(ns + ".", StringComparison.Ordinal)));
    }
}
