namespace Bittensor.Ledger.Consensus.Yuma;

/// <summary>Bonds reset (spec §3.3): do_reset_bonds removes one uid's column from every stored bond row of a mechanism.</summary>
public static class BondsReset
{
    /// <summary>
    /// Returns the stored bonds without column <paramref name="uid"/>. A no-op when BondsResetOn is false
    /// (<paramref name="bondsResetOn"/>), as in the reference.
    /// </summary>
    /// <remarks>Port of run_epoch.rs do_reset_bonds.</remarks>
    public static (ushort Col, ushort Val)[][] ResetColumn((ushort Col, ushort Val)[][] bonds, ushort uid, bool bondsResetOn = true)
    {
        ArgumentNullException.ThrowIfNull(bonds);
        if (!bondsResetOn)
        {
            return bonds;
        }

        var result = new (ushort Col, ushort Val)[bonds.Length][];
        for (int i = 0; i < bonds.Length; i++)
        {
            result[i] = Array.FindAll(bonds[i], e => e.Col != uid);
        }

        return result;
    }
}
