package io.nova.fanout.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * An immutable set of public keys from a JWKS document, by {@code kid}, each with the one algorithm it may
 * verify. Our policy, not the token's: an {@code RSA} key of at least 2048 bits verifies RS256 only, an
 * {@code EC} key on P-256 verifies ES256 only; a key whose {@code alg}, {@code use} or {@code key_ops} says
 * otherwise, a key without {@code kid}, and every other key type (symmetric {@code oct} keys included: HS256
 * is only ever checked against {@code --jwt-secret}) are ignored, with the reason in {@link #notes()}.
 */
final class VerificationKeys {

    static final int MIN_RSA_BITS = 2048;

    /** A key that verifies {@code algorithm} signatures. */
    record Candidate(JWSAlgorithm algorithm, JWSVerifier verifier) {}

    static final VerificationKeys EMPTY = new VerificationKeys(Map.of(), List.of());

    private final Map<String, List<Candidate>> byKid;
    private final List<String> notes;

    private VerificationKeys(Map<String, List<Candidate>> byKid, List<String> notes) {
        this.byKid = byKid;
        this.notes = notes;
    }

    /**
     * @throws ParseException if {@code json} is not a JWKS document ({@code {"keys": [...]}}) or a key in it is
     *         malformed; a well-formed key we do not use is ignored, not an error
     */
    static VerificationKeys parse(byte[] json) throws ParseException {
        final JWKSet set;
        try {
            set = JWKSet.parse(new String(json, UTF_8));
        } catch (RuntimeException e) {
            // The document comes from the network: whatever the parser throws means "not a JWKS".
            throw new ParseException("not a JWKS document: " + e, 0);
        }
        final Map<String, List<Candidate>> byKid = new HashMap<>();
        final List<String> notes = new ArrayList<>();
        for (JWK key : set.getKeys()) {
            final String kid = key.getKeyID();
            final String problem = kid == null || kid.isEmpty() ? "no kid" : unusable(key);
            if (problem != null) {
                notes.add((kid == null ? "(no kid)" : kid) + ": ignored, " + problem);
                continue;
            }
            if (key.isPrivate()) {
                notes.add(kid + ": holds private key material, which a JWKS must not publish; only its public part is used");
            }
            byKid.computeIfAbsent(kid, k -> new ArrayList<>(1)).add(candidate(key));
        }
        byKid.replaceAll((kid, candidates) -> List.copyOf(candidates));
        return new VerificationKeys(Map.copyOf(byKid), List.copyOf(notes));
    }

    /** The keys that may verify a token with this {@code kid} and {@code alg}; empty if none. */
    List<Candidate> find(String kid, JWSAlgorithm algorithm) {
        final List<Candidate> all = byKid.get(kid);
        if (all == null) {
            return List.of();
        }
        final List<Candidate> fitting = new ArrayList<>(all.size());
        for (Candidate candidate : all) {
            if (candidate.algorithm().equals(algorithm)) {
                fitting.add(candidate);
            }
        }
        return fitting;
    }

    boolean knows(String kid) {
        return byKid.containsKey(kid);
    }

    /** The usable key ids. */
    Set<String> kids() {
        return byKid.keySet();
    }

    int size() {
        int n = 0;
        for (List<Candidate> candidates : byKid.values()) {
            n += candidates.size();
        }
        return n;
    }

    /** What an operator should know about the document: each ignored key and why, each published private key. */
    List<String> notes() {
        return notes;
    }

    /** Why {@code key} cannot verify our tokens, or {@code null} if it can. */
    private static String unusable(JWK key) {
        final JWSAlgorithm algorithm = algorithmFor(key);
        if (algorithm == null) {
            return "unsupported key type " + key.getKeyType() +
                   (key instanceof ECKey ec ? " on curve " + ec.getCurve() : "") + " (expected: RSA or EC P-256)";
        }
        if (key.getAlgorithm() != null && !algorithm.getName().equals(key.getAlgorithm().getName())) {
            return "alg " + key.getAlgorithm() + " (expected: absent or " + algorithm + ")";
        }
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            return "use " + key.getKeyUse().identifier() + " (expected: absent or sig)";
        }
        final Set<KeyOperation> operations = key.getKeyOperations();
        if (operations != null && !operations.contains(KeyOperation.VERIFY)) {
            return "key_ops " + operations + " (expected: absent or including verify)";
        }
        if (key instanceof RSAKey && key.size() < MIN_RSA_BITS) {
            return key.size() + "-bit RSA (expected: >= " + MIN_RSA_BITS + " bits)";
        }
        return null;
    }

    /** The one algorithm a key of this type may verify, or {@code null}. */
    private static JWSAlgorithm algorithmFor(JWK key) {
        if (key instanceof RSAKey) {
            return JWSAlgorithm.RS256;
        }
        if (key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
            return JWSAlgorithm.ES256;
        }
        return null;
    }

    private static Candidate candidate(JWK key) throws ParseException {
        try {
            // Only the public half: a JWKS that also carries "d" is the publisher's mistake, not our key.
            if (key instanceof RSAKey rsa) {
                return new Candidate(JWSAlgorithm.RS256, new RSASSAVerifier(rsa.toRSAPublicKey()));
            }
            return new Candidate(JWSAlgorithm.ES256, new ECDSAVerifier(((ECKey) key).toECPublicKey()));
        } catch (JOSEException e) {
            throw new ParseException("key " + key.getKeyID() + ": " + e.getMessage(), 0);
        }
    }
}
