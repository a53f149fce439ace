from rest_framework import serializers

from rankings.models import Board, BoardRow
from rankings.scoring import COUNT_FIELDS, RATE_FIELDS


class BoardRowSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit_name")
    unit_id = serializers.IntegerField(read_only=True)
    band = serializers.SerializerMethodField()

    class Meta:
        model = BoardRow
        fields = [
            "unit",
            "unit_id",
            "unit_kind",
            "position",
            *COUNT_FIELDS,
            *RATE_FIELDS,
            "score",
            "rank",
            "band",
            "previous_rank",
            "previous_score",
            "rank_change",
            "score_change",
        ]

    def get_band(self, row: BoardRow) -> str | None:
        return row.band or None


class WindowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    key = serializers.CharField()
    start = serializers.DateField(source="window_start")
    end = serializers.DateField(source="window_end")
    label = serializers.CharField()  # type: ignore[assignment]  # the payload's `label` key, not Field.label


class BoardSummarySerializer(serializers.ModelSerializer):
    window = serializers.SerializerMethodField()

    class Meta:
        model = Board
        fields = ["id", "version", "window", "previous_key", "rule_values", "computed_at"]

    def get_window(self, board: Board) -> dict:
        return WindowSerializer(board).data


class BoardSerializer(BoardSummarySerializer):
    rows = serializers.SerializerMethodField()

    class Meta(BoardSummarySerializer.Meta):
        fields = [*BoardSummarySerializer.Meta.fields, "rows"]

    def get_rows(self, board: Board) -> list[dict]:
        rows = board.rows.order_by("unit_kind", "position")
        return BoardRowSerializer(rows, many=True).data  # type: ignore[return-value]  # many=True: a list
