package io.nova.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

class Utf8FuzzTest {

    /** The JDK's decoder is the reference: it refuses exactly what RFC 3629 does. */
    @FuzzTest(maxDuration = "2m")
    void agreesWithTheJdkOnAnyBytes(byte[] bytes) {
        boolean wellFormed = jdkAccepts(bytes);
        assertThat(Utf8.isWellFormed(bytes, 0, bytes.length)).isEqualTo(wellFormed);

        // Continuation bytes on either side: reading one of them would change the answer.
        byte[] inside = new byte[bytes.length + 2];
        inside[0] = (byte) 0x80;
        inside[inside.length - 1] = (byte) 0x80;
        System.arraycopy(bytes, 0, inside, 1, bytes.length);
        assertThat(Utf8.isWellFormed(inside, 1, bytes.length)).isEqualTo(wellFormed);
    }

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
