using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace IoSnoop.Web.Api;

/// <summary>
/// A JSON answer written straight into the connection's send buffer. <see cref="Pace"/>, called between
/// entries, hands what piled up to the connection every <see cref="FlushAt"/> bytes and waits while the
/// client has not taken the previous piece (Kestrel holds at most 64 KiB of a response), so an answer
/// never sits in memory whole. A client that takes nothing for the write timeout has its connection closed.
/// </summary>
public sealed class JsonStream
{
    public const string ContentType = "application/json; charset=utf-8";
    public const int FlushAt = 16 * 1024;

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpContext _http;
    private readonly TimeSpan _writeTimeout;

    public JsonStream(HttpContext http, TimeSpan writeTimeout)
    {
        _http = http;
        _writeTimeout = writeTimeout;
        http.Response.ContentType = ContentType;
        Writer = new Utf8JsonWriter(http.Response.BodyWriter, Options);
    }

    public Utf8JsonWriter Writer { get; }

    /// <summary>Sends what is written when enough piled up.</summary>
    public ValueTask Pace() => Writer.BytesPending >= FlushAt ? Flush() : ValueTask.CompletedTask;

    /// <exception cref="SlowClientException">The client took nothing for the write timeout (its connection is closed).</exception>
    /// <exception cref="OperationCanceledException">The client went away.</exception>
    public async ValueTask Flush()
    {
        Writer.Flush();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_http.RequestAborted);
        timeout.CancelAfter(_writeTimeout);
        System.IO.Pipelines.FlushResult result;
        try
        {
            result = await _http.Response.BodyWriter.FlushAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!_http.RequestAborted.IsCancellationRequested)
        {
            _http.Abort();
            throw new SlowClientException(_writeTimeout);
        }
        if (result.IsCanceled || result.IsCompleted)
            throw new OperationCanceledException("the client went away");
    }

    /// <summary>Sends the rest; the answer is complete.</summary>
    public ValueTask Complete() => Flush();
}
