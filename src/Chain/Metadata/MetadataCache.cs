namespace Bittensor.Ledger.Chain.Metadata;

/// <summary>
/// Runtime metadata on disk, one file per chain and spec version, so each runtime's metadata is fetched from a node
/// once. Files are written to a temporary name and renamed, so a killed process never leaves half a file; a file that
/// does not parse is treated as absent and replaced.
/// </summary>
public sealed class MetadataCache
{
    public MetadataCache(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary><c>$LEDGER_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/bittensor-ledger</c>, else <c>~/.cache/bittensor-ledger</c>.</summary>
    public static string DefaultDirectory()
    {
        if (Environment.GetEnvironmentVariable("LEDGER_CACHE_DIR") is { Length: > 0 } explicitDir)
        {
            return explicitDir;
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = xdg is { Length: > 0 }
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "bittensor-ledger");
    }

    /// <summary>The file for <paramref name="chain"/> (the genesis hash) at <paramref name="specVersion"/>.</summary>
    public string PathOf(string chain, uint specVersion)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var safe = new string([.. chain.Where(char.IsAsciiLetterOrDigit)]);
        return Path.Combine(Directory, "metadata", safe.Length > 18 ? safe[..18] : safe, $"spec-{specVersion}.scale");
    }

    /// <summary>The cached metadata, or null when there is none or it does not parse.</summary>
    public RuntimeMetadata? TryLoad(string chain, uint specVersion)
    {
        var path = PathOf(chain, specVersion);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return RuntimeMetadata.Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is Scale.ScaleDecodeException or ChainMetadataException or IOException)
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> for this chain and spec; a cache that cannot be written is not an error.</summary>
    public bool Store(string chain, uint specVersion, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var path = PathOf(chain, specVersion);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do: the cache is an optimisation.
            }

            return false;
        }
    }
}
