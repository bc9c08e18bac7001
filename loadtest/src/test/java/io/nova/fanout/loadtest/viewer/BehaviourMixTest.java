package io.nova.fanout.loadtest.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BehaviourMixTest {

    @Test
    void dealsExactSharesSpreadEvenlyOverStreams() {
        int viewers = 60;
        int streams = 3;
        BehaviourMix mix = new BehaviourMix(viewers, 0.1, 0.05);
        Map<ViewerBehaviour, int[]> perStream = new EnumMap<>(ViewerBehaviour.class);
        for (ViewerBehaviour behaviour : ViewerBehaviour.values()) {
            perStream.put(behaviour, new int[streams]);
        }
        for (int viewer = 0; viewer < viewers; viewer++) {
            perStream.get(mix.next())[viewer % streams]++;
        }

        assertThat(perStream.get(ViewerBehaviour.SLOW)).containsExactly(2, 2, 2);
        assertThat(perStream.get(ViewerBehaviour.SILENT)).containsExactly(1, 1, 1);
        assertThat(perStream.get(ViewerBehaviour.HEALTHY)).containsExactly(17, 17, 17);
    }

    @Test
    void noMisbehaviourMeansEveryoneIsHealthy() {
        BehaviourMix mix = new BehaviourMix(5, 0, 0);
        for (int i = 0; i < 5; i++) {
            assertThat(mix.next()).isEqualTo(ViewerBehaviour.HEALTHY);
        }
    }

    @Test
    void refusesSharesAboveTheWhole() {
        assertThatThrownBy(() -> new BehaviourMix(10, 0.7, 0.4)).isInstanceOf(IllegalArgumentException.class);
    }
}
