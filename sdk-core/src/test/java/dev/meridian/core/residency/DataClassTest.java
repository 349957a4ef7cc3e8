package dev.meridian.core.residency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DataClassTest {

    @Test
    void builtInNamesResolveToTheBuiltInInstancesWhateverTheirCaseOrPadding() {
        assertThat(DataClass.of(" public ")).isSameAs(DataClass.PUBLIC);
        assertThat(DataClass.of("Internal")).isSameAs(DataClass.INTERNAL);
        assertThat(DataClass.of("restricted")).isSameAs(DataClass.RESTRICTED);
        assertThat(DataClass.PUBLIC.isBuiltIn()).isTrue();
        assertThat(DataClass.INTERNAL.isBuiltIn()).isTrue();
        assertThat(DataClass.RESTRICTED.isBuiltIn()).isTrue();
    }

    @Test
    void aCustomNameIsACustomClassEqualToItsOwnNameOnly() {
        DataClass pii = DataClass.of(" pii ");
        assertThat(pii.name()).isEqualTo("PII");
        assertThat(pii.isBuiltIn()).isFalse();
        assertThat(pii).isEqualTo(DataClass.of("PII")).isNotEqualTo(DataClass.RESTRICTED).isNotEqualTo("PII");
    }

    @Test
    void aBlankNameIsRejectedNamingTheSetting() {
        assertThatThrownBy(() -> DataClass.of(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("data class name");
    }
}
