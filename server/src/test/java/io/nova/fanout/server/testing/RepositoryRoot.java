package io.nova.fanout.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout the tests run in, for tests that hold the docs to the code. */
public final class RepositoryRoot {
    private RepositoryRoot() {}

    /** The directory holding {@code docs/} and the parent {@code pom.xml}: {@code ..} when run by Surefire in {@code server/}. */
    public static Path find() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs/protocol.md")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new AssertionError("no docs/protocol.md above " + Path.of("").toAbsolutePath());
    }

    /** A file of {@code docs/}. */
    public static Path doc(String name) {
        return find().resolve("docs").resolve(name);
    }
}
