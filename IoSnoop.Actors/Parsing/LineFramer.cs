using System.Runtime.CompilerServices;

namespace IoSnoop.Actors.Parsing;

/// <summary>
/// Cuts a stream of byte chunks into lines at <c>\n</c>. A line longer than <see cref="MaxLineBytes"/>
/// is skipped up to its newline and reported once, so a tracer that prints a huge line without a newline
/// cannot make the daemon buffer without bound.
/// </summary>
public sealed class LineFramer(int maxLineBytes)
{
    private byte[] _carry = new byte[256];
    private int _carryLength;
    private bool _skipping;

    public int MaxLineBytes { get; } = maxLineBytes;

    /// <summary>Called for every complete line (without <c>\n</c>).</summary>
    public delegate void LineHandler(ReadOnlySpan<byte> line);

    /// <summary>Called once for each line that was too long, with its first bytes.</summary>
    public delegate void OverlongHandler(ReadOnlySpan<byte> start);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Feed(ReadOnlySpan<byte> chunk, LineHandler onLine, OverlongHandler onOverlong)
    {
        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            var piece = newline < 0 ? chunk : chunk[..newline];
            if (_skipping)
            {
                if (newline < 0)
                    return;
                _skipping = false;
            }
            else if (_carryLength == 0 && newline >= 0)
            {
                if (piece.Length <= MaxLineBytes)
                    onLine(piece);
                else
                    onOverlong(piece[..Math.Min(piece.Length, 256)]);
            }
            else if (_carryLength + piece.Length > MaxLineBytes)
            {
                var start = new byte[Math.Min(256, _carryLength + piece.Length)];
                var fromCarry = Math.Min(_carryLength, start.Length);
                _carry.AsSpan(0, fromCarry).CopyTo(start);
                piece[..(start.Length - fromCarry)].CopyTo(start.AsSpan(fromCarry));
                onOverlong(start);
                _carryLength = 0;
                _skipping = newline < 0;
            }
            else
            {
                Append(piece);
                if (newline >= 0)
                {
                    onLine(_carry.AsSpan(0, _carryLength));
                    _carryLength = 0;
                }
            }

            if (newline < 0)
                return;
            chunk = chunk[(newline + 1)..];
        }
    }

    /// <summary>At the end of the stream: a last line without a newline is still a line.</summary>
    public void Finish(LineHandler onLine)
    {
        if (_carryLength > 0 && !_skipping)
            onLine(_carry.AsSpan(0, _carryLength));
        _carryLength = 0;
        _skipping = false;
    }

    private void Append(ReadOnlySpan<byte> piece)
    {
        if (_carryLength + piece.Length > _carry.Length)
            Array.Resize(ref _carry, Math.Max(_carry.Length * 2, _carryLength + piece.Length));
        piece.CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += piece.Length;
    }
}
