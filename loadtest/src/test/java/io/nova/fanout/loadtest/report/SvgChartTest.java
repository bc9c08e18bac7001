package io.nova.fanout.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SvgChartTest {

    @Test
    void ninesAxisSpacesEachNineEvenly() {
        assertThat(SvgChart.nines(0)).isEqualTo(0, within(1e-9));
        assertThat(SvgChart.nines(90)).isEqualTo(1, within(1e-9));
        assertThat(SvgChart.nines(99)).isEqualTo(2, within(1e-9));
        assertThat(SvgChart.nines(99.9)).isEqualTo(3, within(1e-9));
        assertThat(SvgChart.nines(99.99)).isEqualTo(4, within(1e-9));
        assertThat(SvgChart.nines(100)).isEqualTo(4, within(1e-9));
    }

    @Test
    void tickStepsAreRound() {
        assertThat(SvgChart.niceStep(0.013)).isEqualTo(0.02, within(1e-12));
        assertThat(SvgChart.niceStep(2.2)).isEqualTo(2.5, within(1e-12));
        assertThat(SvgChart.niceStep(3_400)).isEqualTo(5_000, within(1e-9));
    }

    @Test
    void tickLabelsShowTheDecimalsTheStepNeeds() {
        assertThat(SvgChart.tickLabel(7.5, 2.5)).isEqualTo("7.5");
        assertThat(SvgChart.tickLabel(0.75, 0.25)).isEqualTo("0.75");
        assertThat(SvgChart.tickLabel(12_000, 2_000)).isEqualTo("12,000");
        assertThat(SvgChart.tickLabel(0.3, 0.1)).isEqualTo("0.3");
    }

    @Test
    void escapesTextAndDrawsEverySeries() {
        String svg = new SvgChart("a <b> & \"c\"", "x", "y", SvgChart.XAxis.LINEAR)
                .add(new SvgChart.Series("one", "#000", List.of(new double[] {0, 1}, new double[] {1, 2})))
                .add(new SvgChart.Series("two", "#f00", List.of(new double[] {0, 3})))
                .render();

        assertThat(svg).startsWith("<svg").contains("a &lt;b&gt; &amp; &quot;c&quot;").doesNotContain("<b>");
        assertThat(svg.split("<polyline", -1)).hasSize(3);
    }
}
