using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace IoSnoop.Specs.Security;

/// <summary>
/// Raw WebSocket connections to the hub, the way a browser makes them (an <c>Origin</c> header, the token
/// as <c>access_token</c>), without negotiate. A connection can also stop reading to play a stuck client.
/// </summary>
public static class HubSockets
{
    /// <summary>The hub's record separator (JSON protocol).</summary>
    public const char Separator = '\u001e';

    /// <summary>Opens a WebSocket to <paramref name="hub"/>; returns the socket, or null and the refusal's status.</summary>
    /// <param name="receiveBuffer">When set, the socket's receive buffer in bytes (a small one fills quickly).</param>
    public static async Task<(ClientWebSocket? Socket, HttpStatusCode Status)> Connect(Uri hub, string? origin = null,
        string? accessToken = null, int? receiveBuffer = null, CancellationToken cancel = default)
    {
        var uri = new UriBuilder(hub) { Scheme = "ws" };
        if (accessToken is not null)
            uri.Query = "access_token=" + Uri.EscapeDataString(accessToken);
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        if (origin is not null)
            socket.Options.SetRequestHeader("Origin", origin);
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                if (receiveBuffer is { } size)
                    s.ReceiveBufferSize = size;
                await s.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        try
        {
            await socket.ConnectAsync(uri.Uri, new HttpMessageInvoker(handler, disposeHandler: false), cancel);
        }
        catch (WebSocketException)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            return (null, status);
        }
        return (socket, HttpStatusCode.SwitchingProtocols);
    }

    /// <summary>Sends the SignalR handshake (JSON protocol) and reads its answer; true when accepted.</summary>
    public static async Task<bool> Handshake(ClientWebSocket socket, CancellationToken cancel = default)
    {
        await Send(socket, "{\"protocol\":\"json\",\"version\":1}" + Separator, cancel);
        var answer = await ReadMessages(socket, 1, cancel);
        return answer.Count == 1 && answer[0] == "{}";
    }

    /// <summary>A SignalR ping, which keeps a client that does not read counted as alive.</summary>
    public static Task Ping(ClientWebSocket socket, CancellationToken cancel = default) =>
        Send(socket, "{\"type\":6}" + Separator, cancel);

    /// <summary>Calls a hub method and returns the raw completion message.</summary>
    public static async Task<string> Invoke(ClientWebSocket socket, string method, CancellationToken cancel = default)
    {
        await Send(socket, $"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"{method}\",\"arguments\":[]}}" + Separator, cancel);
        while (true)
        {
            foreach (var message in await ReadMessages(socket, 1, cancel))
                if (message.Contains("\"type\":3", StringComparison.Ordinal))
                    return message;
        }
    }

    public static Task Send(ClientWebSocket socket, string text, CancellationToken cancel = default) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancel);

    /// <summary>Reads until at least <paramref name="count"/> hub messages came; returns them without separators.</summary>
    public static async Task<List<string>> ReadMessages(ClientWebSocket socket, int count, CancellationToken cancel = default)
    {
        var messages = new List<string>();
        var text = new StringBuilder();
        var frame = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (messages.Count < count)
        {
            var result = await socket.ReceiveAsync(buffer, cancel);
            if (result.MessageType == WebSocketMessageType.Close)
                break;
            frame.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
                continue;
            text.Append(Encoding.UTF8.GetString(frame.GetBuffer(), 0, (int)frame.Length));
            frame.SetLength(0);
            var all = text.ToString();
            var end = all.LastIndexOf(Separator);
            if (end < 0)
                continue;
            messages.AddRange(all[..end].Split(Separator));
            text.Clear().Append(all[(end + 1)..]);
        }
        return messages;
    }
}
