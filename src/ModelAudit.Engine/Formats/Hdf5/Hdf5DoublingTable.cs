using System.Numerics;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// The doubling table of a fractal heap (specification section III.G): rows of <see cref="Width"/> blocks, rows 0
/// and 1 of the starting block size, each later row twice the one before. Rows up to the maximum direct block size
/// hold direct blocks; later rows hold indirect blocks, each a doubling table of its own as large as its row's block.
/// The header's fields were checked to be powers of two, so no size here overflows.
/// </summary>
internal sealed record Hdf5DoublingTable(int Width, ulong StartingBlock, ulong MaxDirectBlock, int MaxHeapBits)
{
    /// <summary>The rows of direct blocks: those whose block size is at most the maximum direct block size.</summary>
    public int MaxDirectRows => BitOperations.Log2(MaxDirectBlock) - BitOperations.Log2(StartingBlock) + 2;

    /// <summary>The most rows any indirect block can have: as many as cover the heap's whole address space.</summary>
    public int MaxRows => MaxHeapBits - BitOperations.Log2(StartingBlock) - BitOperations.Log2((ulong)Width) + 1;

    /// <summary>The size of each block in <paramref name="row"/> (below <see cref="MaxRows"/>).</summary>
    public ulong RowBlockSize(int row) => row == 0 ? StartingBlock : StartingBlock << (row - 1);

    /// <summary>The rows of an indirect block that covers <paramref name="size"/> bytes of the address space.</summary>
    public int RowsOfIndirect(ulong size) => BitOperations.Log2(size) - BitOperations.Log2(StartingBlock) - BitOperations.Log2((ulong)Width) + 1;
}
