namespace Bittensor.Ledger.Application.Import;

/// <summary>Checks an import file can start before the database is opened (and a private cluster perhaps started).</summary>
public static class ImportPreflight
{
    /// <summary>The first non-blank line's shape error, or null: the same checks the import makes of every line.</summary>
    public static async Task<ImportError?> FirstLineErrorAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return null; // the import's own validation names the missing file
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return await NdjsonImporter.FirstLineErrorAsync(file, ct).ConfigureAwait(false);
    }
}
