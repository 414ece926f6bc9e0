package io.slipway.registry.http;

import static io.slipway.registry.http.OciExchange.write;

import io.slipway.oci.Digest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.BlobService;
import io.slipway.registry.distribution.Names;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.storage.BlobContent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** {@code /v2/<name>/blobs/<digest>}: HEAD, GET (whole or one range, by sendfile from the file store), DELETE. */
final class BlobHandler implements RepositoryResource {
    private final BlobService blobService;
    private final DistributionHandler.Audit audit;

    BlobHandler(BlobService blobService, DistributionHandler.Audit audit) {
        this.blobService = blobService;
        this.audit = audit;
    }

    @Override
    public void serve(Call call, Request request, Response response) throws Exception {
        String name = call.repository();
        Digest digest = Names.digest(call.reference());
        String method = request.getMethod();
        switch (method) {
            case "HEAD" -> {
                long size = blobService.size(name, digest);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
                response.getHeaders().put("Docker-Content-Digest", digest.toString());
                response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
            }
            case "GET" -> sendBlob(name, digest, request, response);
            case "DELETE" -> {
                blobService.delete(name, digest);
                audit.record(call.caller().subject(), "blob.delete", name + "@" + digest, call.remote(), "ok");
                OciExchange.empty(response, 202);
            }
            default -> throw OciExchange.unsupported(method);
        }
    }

    private void sendBlob(String name, Digest digest, Request request, Response response) throws Exception {
        try (BlobContent content = blobService.open(name, digest)) {
            java.net.URI direct = content.redirect();
            if (direct != null) {
                // The object store serves the bytes (and any Range) itself; this node only authorized the pull.
                response.setStatus(307);
                response.getHeaders().put(HttpHeader.LOCATION, direct.toString());
                response.getHeaders().put("Docker-Content-Digest", digest.toString());
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                return;
            }
            long size = content.size();
            long start = 0;
            long length = size;
            String rangeHeader = request.getHeaders().get(HttpHeader.RANGE);
            int status = 200;
            if (rangeHeader != null) {
                ByteRange range = ByteRange.parse(rangeHeader, size);
                if (range == null) {
                    throw new OciError(ErrorCode.RANGE_INVALID, "unsatisfiable range " + rangeHeader,
                            null, Map.of("Content-Range", "bytes */" + size));
                }
                start = range.start();
                length = range.length();
                status = 206;
                response.getHeaders().put(HttpHeader.CONTENT_RANGE,
                        "bytes " + start + "-" + (start + length - 1) + "/" + size);
            }
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
            response.getHeaders().put("Docker-Content-Digest", digest.toString());
            response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
            response.getHeaders().put(HttpHeader.ETAG, "\"" + digest + "\"");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=31536000");
            FileChannel channel = content.fileChannel();
            if (channel != null) {
                sendFile(request, response, channel, start, length);
            } else {
                try (InputStream in = content.stream(start, length)) {
                    byte[] buf = new byte[1 << 16];
                    long remaining = length;
                    while (remaining > 0) {
                        int r = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                        if (r < 0) {
                            throw new IOException("blob " + digest + " ended early");
                        }
                        remaining -= r;
                        write(response, remaining == 0, ByteBuffer.wrap(buf, 0, r));
                    }
                    if (length == 0) {
                        write(response, true, ByteBuffer.allocate(0));
                    }
                }
            }
        }
    }

    /**
     * Sends {@code length} bytes of a stored file from {@code start}. On this registry's own
     * connector the kernel moves them from the page cache to the socket (sendfile, see
     * {@link FileRegionEndPoint}); elsewhere (another connector embedding this handler) they are
     * read into one direct buffer per request and written from it.
     */
    private static void sendFile(Request request, Response response, FileChannel channel, long start, long length)
            throws IOException {
        if (length == 0) {
            write(response, true, ByteBuffer.allocate(0));
            return;
        }
        long end = start + length;
        if (request.getConnectionMetaData().getConnection().getEndPoint() instanceof FileRegionEndPoint endPoint) {
            for (long offset = start; offset < end; ) {
                int n = (int) Math.min(FileRegionEndPoint.MAX_REGION, end - offset);
                ByteBuffer standIn = endPoint.standIn(channel, offset, n);
                offset += n;
                try {
                    write(response, offset >= end, standIn);
                } finally {
                    endPoint.release(standIn);
                }
            }
            return;
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(1 << 20, length));
        for (long offset = start; offset < end; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - offset));
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw new IOException("stored blob ended early");
                }
            }
            buffer.flip();
            offset += buffer.remaining();
            write(response, offset >= end, buffer);
        }
    }
}
